import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../domain/errors';
import { parseRatePlan, ratePlanJsonSchema, type RatePlan } from '../../../domain/rating/index';

const valid = {
  id: 'plan',
  version: 1,
  currency: 'EUR',
  rounding: { method: 'half-up', decimals: 2 },
  zones: [{ name: 'uk', prefixes: ['+44'] }],
  windows: [{ name: 'peak', weekdays: ['mon'], opensAt: '08:00', closesAt: '18:00' }],
  rates: [{ id: 'voice', usageType: 'voice', unit: 'minute', price: '0.10', zone: 'uk', window: 'peak' }],
};

function issuesOf(plan: unknown): Array<{ path: string; message: string }> {
  try {
    parseRatePlan(plan);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues;
  }
  throw new Error('the plan was accepted');
}

// Plans are edited as loose JSON on purpose: the point is to build invalid ones.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;

function withChange(change: (plan: Loose) => void): unknown {
  const plan = structuredClone(valid) as Loose;
  change(plan);
  return plan;
}

const tiers = (list: Array<{ from: string; upTo?: string | null }>) =>
  withChange((plan) => {
    plan.charges = [{ id: 'storage', usageType: 'storage', unit: 'GB', model: 'graduated', tiers: list.map((tier) => ({ ...tier, unitPrice: '0.02' })) }];
  });

describe('parseRatePlan', () => {
  it('accepts a valid plan and returns it typed', () => {
    const plan: RatePlan = parseRatePlan(valid);
    expect(plan.rates?.[0]?.price).toBe('0.10');
  });

  it.each<[string, unknown, string, RegExp]>([
    ['unknown currency', withChange((plan) => { plan.currency = 'EUO'; }), '$.currency', /ISO 4217/],
    ['withdrawn currency', withChange((plan) => { plan.currency = 'HRK'; }), '$.currency', /ISO 4217/],
    ['lower-case currency', withChange((plan) => { plan.currency = 'eur'; }), '$.currency', /three-letter/],
    ['a rate without a unit', withChange((plan) => { delete plan.rates[0].unit; }), '$.rates[0].unit', /needs a unit/],
    ['a rate with an empty unit', withChange((plan) => { plan.rates[0].unit = ''; }), '$.rates[0].unit', /needs a unit/],
    ['a price as a JSON number', withChange((plan) => { plan.rates[0].price = 0.1; }), '$.rates[0].price', /decimal string/],
    ['a zone prefix with letters', withChange((plan) => { plan.zones[0].prefixes = ['44a']; }), '$.zones[0].prefixes[0]', /digits/],
    ['a zone prefix with a space', withChange((plan) => { plan.zones[0].prefixes = ['+44 7']; }), '$.zones[0].prefixes[0]', /digits/],
    ['a zone without prefixes', withChange((plan) => { plan.zones[0].prefixes = []; }), '$.zones[0].prefixes', /at least one prefix/],
    ['two zones sharing a prefix at equal weight', withChange((plan) => { plan.zones.push({ name: 'uk2', prefixes: ['44'] }); }), '$.zones[1].prefixes[0]', /same weight/],
    ['an unknown zone', withChange((plan) => { plan.rates[0].zone = 'mars'; }), '$.rates[0].zone', /no zone named/],
    ['an unknown window', withChange((plan) => { plan.rates[0].window = 'night'; }), '$.rates[0].window', /no window named/],
    ['an empty weekday list', withChange((plan) => { plan.windows[0].weekdays = []; }), '$.windows[0].weekdays', /never open/],
    ['30 February only', withChange((plan) => { plan.windows[0] = { name: 'peak', months: [2], daysOfMonth: [30] }; }), '$.windows[0]', /no calendar day/],
    ['31 April only', withChange((plan) => { plan.windows[0] = { name: 'peak', months: [4], daysOfMonth: [31] }; }), '$.windows[0]', /never open/],
    ['a date that does not exist', withChange((plan) => { plan.windows[0] = { name: 'peak', dates: ['2023-02-29'] }; }), '$.windows[0].dates[0]', /not a real date/],
    ['a date on the wrong weekday', withChange((plan) => { plan.windows[0] = { name: 'peak', dates: ['2024-12-25'], weekdays: ['mon'] }; }), '$.windows[0]', /never open/],
    ['opens == closes', withChange((plan) => { plan.windows[0].closesAt = '08:00'; }), '$.windows[0].closesAt', /same time/],
    ['a malformed time', withChange((plan) => { plan.windows[0].opensAt = '8:00'; }), '$.windows[0].opensAt', /time of day/],
    ['steps not starting at 0', withChange((plan) => { plan.rates[0].steps = [{ fromSeconds: 10, incrementSeconds: 1 }]; }), '$.rates[0].steps[0].fromSeconds', /starts at 0/],
    ['steps not increasing', withChange((plan) => { plan.rates[0].steps = [{ fromSeconds: 0, incrementSeconds: 60 }, { fromSeconds: 0, incrementSeconds: 1 }]; }), '$.rates[0].steps[1].fromSeconds', /increasing/],
    ['steps on a quantity rate', withChange((plan) => { plan.rates[0].unit = 'MB'; plan.rates[0].steps = [{ fromSeconds: 0, incrementSeconds: 1 }]; }), '$.rates[0].steps', /time units only/],
    ['a condition with two operators', withChange((plan) => { plan.rates[0].when = [{ attribute: 'device', equals: 'a', regex: 'b' }]; }), '$.rates[0].when[0]', /exactly one/],
    ['an invalid regex', withChange((plan) => { plan.rates[0].when = [{ attribute: 'device', regex: '(' }]; }), '$.rates[0].when[0].regex', /invalid regular expression/],
    ['a range with min > max', withChange((plan) => { plan.rates[0].when = [{ attribute: 'quantity', range: { min: '10', max: '2' } }]; }), '$.rates[0].when[0].range', /greater than max/],
    ['duplicate rate ids', withChange((plan) => { plan.rates.push({ ...plan.rates[0] }); }), '$.rates[1].id', /duplicate/],
    ['an unknown field (typo)', withChange((plan) => { plan.rates[0].prise = '1'; }), '$.rates[0]', /prise/],
    ['overlapping tiers', tiers([{ from: '0', upTo: '100' }, { from: '50' }]), '$.charges[0].tiers[1].from', /overlap/],
    ['tiers with a gap', tiers([{ from: '0', upTo: '100' }, { from: '150' }]), '$.charges[0].tiers[1].from', /gap/],
    ['tier bounds not increasing', tiers([{ from: '0', upTo: '0' }, { from: '0' }]), '$.charges[0].tiers[0].upTo', /must increase/],
    ['a tier after an open-ended one', tiers([{ from: '0' }, { from: '100' }]), '$.charges[0].tiers[1]', /overlap/],
    ['a closed last tier', tiers([{ from: '0', upTo: '100' }]), '$.charges[0].tiers[0].upTo', /open-ended/],
    ['a first tier above 0', tiers([{ from: '10' }]), '$.charges[0].tiers[0].from', /starts at 0/],
    ['a usage type priced per record and per period', withChange((plan) => {
      plan.charges = [{ id: 'c', usageType: 'voice', unit: 'minute', model: 'standard', unitPrice: '1' }];
    }), '$.charges[0].usageType', /already priced per record/],
    ['a markup party without a markup', withChange((plan) => { plan.markups = { parties: [{ party: 'vendor' }, { party: 'distributor' }] }; }), '$.markups.parties[1].markupPercent', /no markup/],
    ['a percentage discount above 100', withChange((plan) => {
      plan.discounts = [{ id: 'd', level: 'record', kind: 'percentage', percent: '120' }];
    }), '$.discounts[0].percent', /exceed 100/],
  ])('refuses %s with a JSON path', (_name, plan, path, message) => {
    const issues = issuesOf(plan);
    expect(issues).toContainEqual({ path, message: expect.stringMatching(message) });
  });

  it('reports every structural problem at once, then every rule problem', () => {
    const issues = issuesOf(withChange((plan) => {
      plan.currency = 'XYZ';
      plan.windows[0].weekdays = [];
      plan.zones[0].prefixes = ['4x'];
    }));
    // Structural problems first: the prefix is a schema error, so rules wait for a well-formed plan.
    expect(issues.map((issue) => issue.path)).toEqual(['$.zones[0].prefixes[0]']);
    const rules = issuesOf(withChange((plan) => {
      plan.currency = 'XYZ';
      plan.windows[0].weekdays = [];
    }));
    expect(rules.map((issue) => issue.path)).toEqual(['$.currency', '$.windows[0].weekdays']);
  });

  it('accepts a window that runs past midnight, and one a whole day long', () => {
    expect(() => parseRatePlan(withChange((plan) => { plan.windows = [{ name: 'peak', opensAt: '22:00', closesAt: '06:00' }]; }))).not.toThrow();
    expect(() => parseRatePlan(withChange((plan) => { plan.windows = [{ name: 'peak', opensAt: '00:00', closesAt: '24:00' }]; }))).not.toThrow();
    expect(() => parseRatePlan(withChange((plan) => { plan.windows = [{ name: 'peak', months: [2], daysOfMonth: [29] }]; }))).not.toThrow();
  });

  it('publishes a JSON Schema generated from the zod schema', () => {
    expect(ratePlanJsonSchema).toMatchObject({ type: 'object', required: expect.arrayContaining(['id', 'version', 'currency', 'rounding']) });
    expect(JSON.stringify(ratePlanJsonSchema)).toContain('includedQuota');
  });
});
