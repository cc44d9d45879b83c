import { describe, expect, it } from 'vitest';
import { canSeeFile, mayActAs, partyScope, seesParty, type Caller, type Role } from '../../domain/access';

const caller = (role: Role, partyId = 'PA-1'): Caller => ({ role, partyId, keyId: 'AK-1' });
const file = (environment: 'preview' | 'production') => ({ vendorId: 'PA-1', providerId: 'PA-2', environment });

describe('who sees a usage file', () => {
  it.each([
    ['its vendor', caller('vendor', 'PA-1'), 'preview', true],
    ['another vendor', caller('vendor', 'PA-9'), 'production', false],
    ['its provider, production', caller('provider', 'PA-2'), 'production', true],
    ['its provider, preview', caller('provider', 'PA-2'), 'preview', false],
    ['another provider', caller('provider', 'PA-9'), 'production', false],
    ['ops', caller('ops', 'PA-7'), 'preview', true],
    ['admin', caller('admin', 'PA-7'), 'production', true],
  ] as const)('%s: %s', (_who, c, env, visible) => {
    expect(canSeeFile(c, file(env))).toBe(visible);
  });
});

describe('who may act', () => {
  it.each([
    ['vendor', 'vendor', true], ['vendor', 'provider', false], ['provider', 'provider', true], ['provider', 'vendor', false],
    ['ops', 'vendor', false], ['ops', 'provider', false], ['billing_manager', 'vendor', false],
    ['admin', 'vendor', true], ['admin', 'provider', true], ['admin', 'system', false],
  ] as const)('%s as %s: %s', (role, actor, allowed) => {
    expect(mayActAs(caller(role), actor)).toBe(allowed);
  });
});

describe("who sees a party's objects", () => {
  it.each([
    ['admin', 'PA-7', true, null], ['ops', 'PA-7', true, null],
    ['billing_manager', 'PA-1', true, 'PA-1'], ['billing_manager', 'PA-9', false, 'PA-9'],
    ['provider', 'PA-1', true, 'PA-1'], ['vendor', 'PA-9', false, 'PA-9'],
  ] as const)("%s of %s on PA-1's object: %s (scope %s)", (role, party, visible, scope) => {
    expect(seesParty(caller(role, party), 'PA-1')).toBe(visible);
    expect(partyScope(caller(role, party))).toBe(scope);
  });
});
