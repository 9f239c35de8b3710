import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SlidingWindow } from '../../src/pool/index.ts';

/** How many more units fit at `now`, adding them one by one. */
function fill(w: SlidingWindow, now: number): number {
  let n = 0;
  while (w.waitFor(1, now) === 0 && n < 1000) {
    w.add(1, now);
    n++;
  }
  return n;
}

describe('an instance cut off from the shared windows keeps to its share', () => {
  it('for the window in progress: at most the smaller of its share and what it already had; then its share', () => {
    const w = new SlidingWindow(1000, 60);
    for (let i = 0; i < 10; i++) w.add(1, 0); // this instance had 10 in the window (the others: unknown)
    w.setShare(1 / 3, 100, true); // share 20, but it keeps to 10 until t = 1100
    assert.equal(w.waitFor(1, 100), 901, 'nothing more until its own 10 leave the window');
    assert.equal(fill(w, 1050), 10, 'its 10 left: it may send 10 again, not 20');
    assert.equal(fill(w, 2100), 20, 'one window after the cut: its share, 20 of 60');
    w.setShare(1, 2200);
    assert.equal(fill(w, 2200), 40, 'shared again: the whole limit');
  });

  it('an instance that had more than its share drops to its share', () => {
    const w = new SlidingWindow(1000, 60);
    for (let i = 0; i < 30; i++) w.add(1, 0);
    w.setShare(1 / 3, 10, true);
    assert.ok(w.waitFor(1, 500) > 0);
    assert.equal(fill(w, 1005), 20);
  });

  it('starting cut off (no window to protect): its share at once', () => {
    const w = new SlidingWindow(1000, 60);
    w.setShare(1 / 3, 0, false);
    assert.equal(fill(w, 0), 20);
  });
});
