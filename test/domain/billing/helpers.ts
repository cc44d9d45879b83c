import type { RecordBilling } from '../../../domain/billing';

export { codeOf } from '../../helpers/domain-errors';

/** A rated, posted, billable record worth 10.00 unless overridden. */
export function aRecord(overrides: Partial<RecordBilling> = {}): RecordBilling {
  return {
    recordId: 'r1',
    accountId: 'acc-1',
    subscriptionId: 'sub-1',
    currency: 'EUR',
    lifeCycle: 'POSTED',
    directive: 'TO_BE_BILLED',
    ratingState: 'COMPLETED',
    amount: '10.00',
    billingEffectiveAt: '2024-03-05T10:00:00.000Z',
    service: 'voice',
    category: 'TELEPHONY',
    item: 'national',
    quantity: '120',
    unit: 'second',
    ...overrides,
  };
}
