import { describe, expect, it } from 'vitest';
import { resolvePlanAssignment, resolvePlanChain, resolvePlanVersion, type PlanAssignment } from '../../../domain/rating/index';
import { aRatePlan } from './builders';

describe('plan assignment', () => {
  it.each<[string, PlanAssignment[], string | null]>([
    ['nothing assigned', [], null],
    ['an assignment not yet valid', [{ planId: 'later', scope: 'global', validFrom: '2024-06-01T00:00:00Z' }], null],
    ['an assignment that ended', [{ planId: 'old', scope: 'global', validTo: '2024-03-01T00:00:00Z' }], null],
    ['the latest valid at equal specificity', [
      { planId: 'first', scope: 'account', targetId: 'acme', validFrom: '2024-01-01T00:00:00Z' },
      { planId: 'second', scope: 'account', targetId: 'acme', validFrom: '2024-02-01T00:00:00Z' },
    ], 'second'],
    ['another account\'s plan is not ours', [{ planId: 'theirs', scope: 'account', targetId: 'globex' }, { planId: 'global', scope: 'global' }], 'global'],
    ['a group the account is in', [{ planId: 'smb', scope: 'customerGroup', targetId: 'smb' }], 'smb'],
  ])('%s', (_name, assignments, planId) => {
    expect(resolvePlanAssignment(assignments, { accountId: 'acme', customerGroupIds: ['smb'] }, '2024-03-15T00:00:00Z')?.planId ?? null).toBe(planId);
  });
});

describe('plan versions and chains', () => {
  const v1 = aRatePlan({ id: 'retail', version: 1, effectiveFrom: '2024-01-01T00:00:00Z' });
  const v2 = aRatePlan({ id: 'retail', version: 2, effectiveFrom: '2024-03-01T00:00:00Z', parent: { id: 'base' } });
  const base = aRatePlan({ id: 'base', version: 1 });

  it.each<[string, number | null]>([
    ['2023-12-31T23:59:59Z', null],
    ['2024-01-01T00:00:00Z', 1],
    ['2024-02-29T23:59:59Z', 1],
    ['2024-03-01T00:00:00Z', 2],
  ])('at %s the version in force is %s', (at, version) => {
    expect(resolvePlanVersion([v1, v2], 'retail', at)?.version ?? null).toBe(version);
  });

  it('walks the parents at the version in force', () => {
    expect(resolvePlanChain([v1, v2, base], 'retail', '2024-03-15T00:00:00Z')).toMatchObject({ ok: true, plans: [{ id: 'retail', version: 2 }, { id: 'base' }] });
    expect(resolvePlanChain([v2], 'retail', '2024-03-15T00:00:00Z')).toMatchObject({ ok: false, reason: 'INVALID_RATE' });
    expect(resolvePlanChain([v1], 'retail', '2023-01-01T00:00:00Z')).toMatchObject({ ok: false, reason: 'NO_PLAN' });
  });
});
