export * from './parties';
export * from './usage-files';
