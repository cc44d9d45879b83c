// The quarantine loop of SPEC items 8, 12, 13: gates fail, a person fixes the data and cleanses,
// the reprocess run claims the record, runs every gate again, and passes or fails it.
import { describe, expect, it } from 'vitest';
import { createMediator, quarantineTransition, type CanonicalRecord, type MediationContext, type QuarantineStatus } from '../../../domain/mediation/index';
import { aContext, aFeed, aPlan, aRecord, aService, PROCESSED_AT } from './builders';

function reprocess(status: QuarantineStatus, record: CanonicalRecord, context: MediationContext): { status: QuarantineStatus; reason: string | null } {
  const claimed = quarantineTransition(quarantineTransition(status, 'cleanse'), 'claim');
  const result = createMediator(aFeed(), context).mediate(record, new Set());
  return { status: quarantineTransition(claimed, result.status === 'COMPLETED' ? 'pass' : 'fail'), reason: result.reason };
}

describe('reprocessing after a fix', () => {
  const record = aRecord({ serviceIdentifier: '+447700900555', origin: '+447700900555', usageType: 'data', durationSeconds: undefined, quantity: '5', unit: 'MB' });
  const newService = aService({ id: 'svc-555', identifiers: [{ type: 'MSISDN', value: '+447700900555', validFrom: '2024-01-01T00:00:00Z' }] });
  const dataRate = { assignments: [{ planId: 'plan', scope: 'global' as const }], planVersions: [aPlan({ rates: [{ id: 'data', usageType: 'data', unit: 'MB', price: '0.01' }] })], asOf: PROCESSED_AT };

  it('UNIDENTIFIED, then the service is created and the record cleansed: COMPLETED (SPEC item 8)', () => {
    const first = createMediator(aFeed(), aContext({ rating: dataRate })).mediate(record, new Set());
    expect(first.reason).toBe('UNIDENTIFIED');
    expect(reprocess('QUARANTINED', record, aContext({ rating: dataRate, services: [newService] }))).toEqual({ status: 'COMPLETED', reason: null });
  });

  it('two defects: back to QUARANTINED with NO_RATE, then COMPLETED once the rate exists (SPEC items 12, 13)', () => {
    const afterServiceFix = reprocess('QUARANTINED', record, aContext({ services: [newService] }));
    expect(afterServiceFix).toEqual({ status: 'QUARANTINED', reason: 'NO_RATE' });
    expect(reprocess(afterServiceFix.status, record, aContext({ services: [newService], rating: dataRate }))).toEqual({ status: 'COMPLETED', reason: null });
  });

  it('a written-off record cannot be cleansed again (SPEC item 14)', () => {
    expect(() => reprocess('WRITTEN_OFF', record, aContext())).toThrow(/Cannot cleanse/);
  });
});
