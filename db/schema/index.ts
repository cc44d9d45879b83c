export * from './parties';
export * from './catalog';
export * from './usage-files';
export * from './rating';
export * from './ledger';
export * from './wallets';
export * from './allocation';
export * from './accounts';
