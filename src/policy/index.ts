export { ClientDirectory, hashKey, mayUseModel, type ClientIdentity } from './client-directory.ts';
