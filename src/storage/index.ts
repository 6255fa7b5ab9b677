export { attachmentDisposition } from './content-disposition.ts';
export { createStorage, type StorageConfig } from './create-storage.ts';
export type { PresignOptions, PutOptions, Storage, StorageBody } from './storage.ts';
