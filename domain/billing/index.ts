// Billing's public surface: record directives and actions, invoices and their one rounding,
// the pre-finalisation invariants, billing cycles, threshold billing, billing modes and prepaid wallets.
export * from './directives';
export * from './rounding';
export * from './invoice';
export * from './invariants';
export * from './cycles';
export * from './threshold';
export * from './wallet';
export * from './billing-mode';
export * from './period-postings';
export * from './run';
