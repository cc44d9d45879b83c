// The rate plan version as public JSON: this zod schema is the format's single definition; the JSON
// Schema published to plan authors is generated from it. Structure only; rules that need several
// fields at once (tiers, windows that can never open, references) live in plan-checks.ts.
import { z } from 'zod';
import { ROUNDING_METHODS } from '../money';

const WEEKDAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

const identifier = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'an id uses letters, digits, ".", "_", ":" and "-"');

/** Money: a plain decimal string, never a JSON number (a float cannot carry 0.10 exactly). */
const amount = z
  .string({ error: 'expected a decimal string such as "0.05" (not a JSON number)' })
  .regex(/^\d+(\.\d{1,10})?$/, 'expected a non-negative decimal string with at most 10 decimals, e.g. "0.05"');

const quantity = z
  .string({ error: 'expected a decimal string such as "1000" (not a JSON number)' })
  .regex(/^\d+(\.\d{1,12})?$/, 'expected a non-negative decimal string with at most 12 decimals');

const percent = z
  .string({ error: 'expected a decimal string such as "12.5" (not a JSON number)' })
  .regex(/^\d+(\.\d{1,6})?$/, 'expected a percentage as a decimal string with at most 6 decimals, e.g. "12.5"');

const signedDecimal = z.string().regex(/^-?\d+(\.\d+)?$/, 'expected a decimal string');

const timeOfDay = z
  .string()
  .regex(/^(([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?|24:00)$/, 'expected a time of day "HH:MM" or "HH:MM:SS"');

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date "YYYY-MM-DD"');

export const conditionSchema = z
  .strictObject({
    attribute: z.string().min(1).describe('Record field (usageType, device, usageMethod, sourceCategory, destinationCategory, recordType, origin, destination, product, account, quantity, durationSeconds, ...) or an extra attribute'),
    equals: z.string().optional(),
    oneOf: z.array(z.string()).min(1).optional(),
    range: z
      .strictObject({ min: signedDecimal.optional(), max: signedDecimal.optional() })
      .optional()
      .describe('Numeric range, both bounds inclusive'),
    regex: z.string().optional().describe('ECMAScript regular expression, searched in the value (anchor it with ^ and $)'),
  })
  .describe('Exactly one of equals, oneOf, range, regex');

export const zoneSchema = z.strictObject({
  name: identifier,
  description: z.string().optional(),
  prefixes: z
    .array(z.string().regex(/^\+?\d+$/, 'a zone prefix is digits, optionally after a leading "+"'))
    .optional()
    .describe('Number prefixes of the destination; the longest matching prefix over all zones wins'),
  weight: z.number().int().optional().describe('Breaks ties between zones that list the same prefix; higher wins'),
  catchAll: z.boolean().optional().describe('The zone of a destination no prefix matches'),
});

export const timeWindowSchema = z.strictObject({
  name: identifier,
  description: z.string().optional(),
  weight: z.number().int().optional().describe('Among open windows the highest weight is in force; default 0'),
  weekdays: z.array(z.enum(WEEKDAY_NAMES)).optional(),
  months: z.array(z.number().int().min(1).max(12)).optional(),
  daysOfMonth: z.array(z.number().int().min(1).max(31)).optional(),
  dates: z.array(isoDate).optional().describe('Specific local dates, e.g. public holidays'),
  opensAt: timeOfDay.optional().describe('Local time the window opens (inclusive); default 00:00'),
  closesAt: timeOfDay.optional().describe('Local time the window closes (exclusive); default midnight; earlier than opensAt runs past midnight'),
  closesAtInclusive: z.boolean().optional().describe('Keep the whole closing minute (HH:MM) or second (HH:MM:SS) inside the window'),
});

export const rateStepSchema = z.strictObject({
  fromSeconds: z.number().int().min(0).describe('Elapsed seconds since the start of the usage at which this step begins'),
  incrementSeconds: z.number().int().min(1).describe('Billing increment inside this step'),
  price: amount.optional().describe('Price per rate unit inside this step; default the rate price'),
});

export const rateSchema = z.strictObject({
  id: identifier,
  description: z.string().optional(),
  usageType: z.string().min(1).describe('The record usage type this rate prices (voice, sms, data, api_call, ...)'),
  unit: z
    .string({ error: (issue) => (issue.input === undefined ? 'a rate needs a unit (e.g. "minute", "MB", "sms")' : 'unit must be a string') })
    .min(1, 'a rate needs a unit (e.g. "minute", "MB", "sms")')
    .describe('Unit the price is per; second/minute/hour make the rate time-based'),
  price: amount.describe('Price per unit'),
  zone: identifier.optional(),
  window: identifier.optional(),
  when: z.array(conditionSchema).optional().describe('Tier conditions; all must hold'),
  connectFee: amount.optional().describe('Charged once per record, from the rate in force at the start'),
  minimumCharge: amount.optional(),
  maxCharge: z.strictObject({ amount, action: z.enum(['cap', 'flag']) }).optional(),
  incrementSeconds: z.number().int().min(1).optional().describe('Billing increment of a time-based rate without steps; default 1'),
  steps: z.array(rateStepSchema).min(1).optional(),
  increment: quantity.optional().describe('Billing increment of a quantity-based rate, in the rate unit'),
});

const chargeBase = {
  id: identifier,
  description: z.string().optional(),
  usageType: z.string().min(1),
  product: z.string().optional(),
  unit: z.string().min(1, 'a charge needs a unit'),
};

const priceTier = z.strictObject({
  from: quantity,
  upTo: quantity.nullable().optional().describe('Exclusive of from, inclusive of upTo; null or absent on the last tier'),
  unitPrice: amount,
  flatFee: amount.optional(),
});

const percentageTier = z.strictObject({
  from: quantity,
  upTo: quantity.nullable().optional(),
  ratePercent: percent,
  flatFee: amount.optional(),
});

export const periodChargeSchema = z.discriminatedUnion('model', [
  z.strictObject({ ...chargeBase, model: z.literal('standard'), unitPrice: amount }),
  z.strictObject({
    ...chargeBase,
    model: z.literal('package'),
    packageSize: quantity,
    packagePrice: amount,
    freeUnits: quantity.optional(),
  }),
  z.strictObject({ ...chargeBase, model: z.literal('graduated'), tiers: z.array(priceTier).min(1) }),
  z.strictObject({ ...chargeBase, model: z.literal('volume'), tiers: z.array(priceTier).min(1) }),
  z.strictObject({ ...chargeBase, model: z.literal('graduatedPercentage'), tiers: z.array(percentageTier).min(1) }),
  z.strictObject({
    ...chargeBase,
    model: z.literal('percentage'),
    ratePercent: percent,
    fixedFeePerEvent: amount.optional(),
    freeEvents: z.number().int().min(0).optional(),
    freeUnits: quantity.optional(),
    minPerEvent: amount.optional(),
    maxPerEvent: amount.optional(),
  }),
  z.strictObject({
    ...chargeBase,
    model: z.literal('includedQuota'),
    quota: quantity,
    excessUnitPrice: amount,
    includedUnitPrice: amount.optional().describe('Price of usage inside the quota ("charge usage"); default free'),
  }),
]);

const discountBase = {
  id: identifier,
  description: z.string().optional(),
  usageTypes: z.array(z.string()).optional(),
  products: z.array(z.string()).optional(),
  when: z.array(conditionSchema).optional().describe('Attribute conditions; record-level discounts only'),
  appliesTo: z.enum(['rated', 'prerated', 'all']).optional().describe('Record-level: which records; default all'),
};

export const discountSchema = z.discriminatedUnion('kind', [
  z.strictObject({ ...discountBase, kind: z.literal('percentage'), level: z.enum(['record', 'period']), percent }),
  z.strictObject({ ...discountBase, kind: z.literal('fixed'), level: z.enum(['record', 'period']), amount }),
  z.strictObject({ ...discountBase, kind: z.literal('freeUsage'), level: z.literal('period'), quantity, unit: z.string().min(1) }),
]);

export const markupsSchema = z.strictObject({
  parties: z
    .array(z.strictObject({ party: identifier, markupPercent: percent.optional() }))
    .min(2)
    .describe('From cost to end price: the first party is the cost, each next one marks up the previous price'),
});

export const ratePlanSchema = z
  .strictObject({
    $schema: z.string().optional(),
    id: identifier,
    version: z.number().int().min(1),
    name: z.string().optional(),
    description: z.string().optional(),
    effectiveFrom: z.iso.datetime({ offset: true }).optional().describe('First usage instant this version prices'),
    currency: z.string().regex(/^[A-Z]{3}$/, 'currency is a three-letter ISO 4217 code such as "EUR"'),
    parent: z.strictObject({ id: identifier }).optional().describe('Parent plan (tariff) searched when this one has no rate'),
    rounding: z.strictObject({ method: z.enum(ROUNDING_METHODS), decimals: z.number().int().min(0).max(10) }),
    zones: z.array(zoneSchema).optional(),
    windows: z.array(timeWindowSchema).optional(),
    rates: z.array(rateSchema).optional(),
    charges: z.array(periodChargeSchema).optional(),
    discounts: z.array(discountSchema).optional(),
    minimumCommitment: z.strictObject({ amount }).optional(),
    markups: markupsSchema.optional(),
  })
  .describe('Meterflow rate plan version');

/** Overrides one rate of one plan for one subscription (Emersion "subscription rate override"). */
export const rateOverrideSchema = z.strictObject({
  planId: identifier,
  rateId: identifier,
  price: amount.optional(),
  connectFee: amount.optional(),
  minimumCharge: amount.optional(),
});

export const ratePlanJsonSchema = z.toJSONSchema(ratePlanSchema);

export type RatePlan = z.infer<typeof ratePlanSchema>;
export type Rate = z.infer<typeof rateSchema>;
export type RateStep = z.infer<typeof rateStepSchema>;
export type Zone = z.infer<typeof zoneSchema>;
export type TimeWindow = z.infer<typeof timeWindowSchema>;
export type Condition = z.infer<typeof conditionSchema>;
export type PeriodCharge = z.infer<typeof periodChargeSchema>;
export type PricingModel = PeriodCharge['model'];
export type Discount = z.infer<typeof discountSchema>;
export type Markups = z.infer<typeof markupsSchema>;
export type RateOverride = z.infer<typeof rateOverrideSchema>;
