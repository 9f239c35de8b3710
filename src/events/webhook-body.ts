import type { SluiceEvent } from './event-log.ts';

/** The chat tools a webhook can post to, and plain JSON for anything else. */
export const WEBHOOK_FORMATS = ['json', 'slack', 'feishu', 'dingtalk'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

/** One line a human reads in a chat channel. */
export function alertText(e: SluiceEvent): string {
  return `[sluice] ${e.type}: ${e.message}`;
}

/**
 * The JSON body of a webhook POST, in the shape each receiver expects for a plain text message:
 * Slack incoming webhooks (`text`), Feishu/Lark custom bots (`msg_type: "text"`), DingTalk custom
 * robots (`msgtype: "text"`); `json` sends the event itself for programs.
 */
export function webhookBody(format: WebhookFormat, e: SluiceEvent): Record<string, unknown> {
  switch (format) {
    case 'slack':
      return { text: alertText(e) };
    case 'feishu':
      return { msg_type: 'text', content: { text: alertText(e) } };
    case 'dingtalk':
      return { msgtype: 'text', text: { content: alertText(e) } };
    default:
      return { source: 'sluice', ...e };
  }
}
