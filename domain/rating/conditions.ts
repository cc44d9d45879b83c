// Tier conditions on record attributes (CRM.COM tiered rates, SPEC item 18): equals, one of, numeric
// range (both bounds inclusive) or regular expression. A missing attribute satisfies no condition.
import { compareDecimalStrings, isDecimalString } from '../money';
import type { Condition } from './plan-schema';
import { recordAttribute, type UsageRecord } from './records';

export interface CompiledCondition {
  readonly attribute: string;
  readonly description: string;
  readonly test: (value: string) => boolean;
}

export function compileCondition(condition: Condition): CompiledCondition {
  const { attribute } = condition;
  if (condition.equals !== undefined) {
    const expected = condition.equals;
    return { attribute, description: `${attribute} = ${expected}`, test: (value) => value === expected };
  }
  if (condition.oneOf !== undefined) {
    const allowed = new Set(condition.oneOf);
    return { attribute, description: `${attribute} in [${condition.oneOf.join(', ')}]`, test: (value) => allowed.has(value) };
  }
  if (condition.regex !== undefined) {
    const pattern = new RegExp(condition.regex);
    return { attribute, description: `${attribute} ~ /${condition.regex}/`, test: (value) => pattern.test(value) };
  }
  const min = condition.range?.min;
  const max = condition.range?.max;
  return {
    attribute,
    description: `${attribute} in [${min ?? '-inf'}, ${max ?? '+inf'}]`,
    test: (value) =>
      isDecimalString(value) &&
      (min === undefined || compareDecimalStrings(value, min) >= 0) &&
      (max === undefined || compareDecimalStrings(value, max) <= 0),
  };
}

/** Whether every condition holds for the record (true for an empty list). */
export function allConditionsHold(
  conditions: readonly CompiledCondition[],
  record: UsageRecord,
  measuredDurationMs: number | null,
): boolean {
  for (const condition of conditions) {
    const value = recordAttribute(record, condition.attribute, measuredDurationMs);
    if (value === undefined || !condition.test(value)) return false;
  }
  return true;
}
