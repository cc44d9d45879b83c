// Feed definitions for real formats, as plain JSON (the same documents are in examples/feeds/ with
// sample files; a test keeps the two equal). Copy one and change what differs for your source — in
// particular `timeZone`: Asterisk and FreeSWITCH write local server time unless told otherwise.
import type { FeedDefinitionInput } from './feed-schema';

const CDR_TIME = 'yyyy-MM-dd HH:mm:ss';
const TELEPHONY_RULES: FeedDefinitionInput['errorRules'] = [
  { code: 'INCORRECT_DURATION', action: 'quarantine', when: { zeroDuration: { exceptUsageTypes: ['sms'] } }, message: 'duration 0 and the usage type is not on the zero-duration allow-list' },
];
const SPEC_DUPLICATE_KEY: FeedDefinitionInput['duplicateKey'] = ['serviceIdentifier', 'start', 'durationSeconds', 'origin', 'destination'];

/** Asterisk cdr_csv Master.csv: no header row, the 18 columns in cdr_csv's fixed order. */
export const ASTERISK_CDR_CSV: FeedDefinitionInput = {
  schemaVersion: 1,
  id: 'asterisk-cdr-csv',
  version: 1,
  name: 'Asterisk cdr_csv (Master.csv)',
  format: {
    kind: 'delimited', delimiter: ',', quote: '"', header: false,
    columns: ['accountcode', 'src', 'dst', 'dcontext', 'clid', 'channel', 'dstchannel', 'lastapp', 'lastdata', 'start', 'answer', 'end', 'duration', 'billsec', 'disposition', 'amaflags', 'uniqueid', 'userfield'],
  },
  mapping: {
    id: { from: 'uniqueid' },
    serviceIdentifier: { from: 'src' },
    serviceIdentifierType: { constant: 'EXTENSION' },
    // Billable time starts at answer; an unanswered call has none, so fall back to the call start.
    start: { from: ['answer', 'start'], transforms: [{ op: 'parseDateTime', format: CDR_TIME, timeZone: 'UTC' }] },
    durationSeconds: { from: 'billsec' },
    usageType: { constant: 'voice' },
    origin: { from: 'src' },
    destination: { from: 'dst' },
    attributes: {
      accountcode: { from: 'accountcode' },
      dcontext: { from: 'dcontext' },
      channel: { from: 'channel' },
      dstchannel: { from: 'dstchannel' },
      disposition: { from: 'disposition' },
      amaflags: { from: 'amaflags' },
      totalSeconds: { from: 'duration' },
      userfield: { from: 'userfield' },
    },
  },
  categories: { default: 'TELEPHONY' },
  duplicateKey: SPEC_DUPLICATE_KEY,
  errorRules: TELEPHONY_RULES,
};

/** FreeSWITCH mod_cdr_csv with the default ("example") template: no header, every value quoted. */
export const FREESWITCH_CDR_CSV: FeedDefinitionInput = {
  schemaVersion: 1,
  id: 'freeswitch-cdr-csv',
  version: 1,
  name: 'FreeSWITCH mod_cdr_csv (default template)',
  format: {
    kind: 'delimited', delimiter: ',', quote: '"', header: false,
    columns: ['caller_id_name', 'caller_id_number', 'destination_number', 'context', 'start_stamp', 'answer_stamp', 'end_stamp', 'duration', 'billsec', 'hangup_cause', 'uuid', 'bleg_uuid', 'accountcode', 'read_codec', 'write_codec'],
  },
  mapping: {
    id: { from: 'uuid' },
    serviceIdentifier: { from: 'caller_id_number' },
    serviceIdentifierType: { constant: 'PHONE_NUMBER' },
    start: { from: ['answer_stamp', 'start_stamp'], transforms: [{ op: 'parseDateTime', format: CDR_TIME, timeZone: 'UTC' }] },
    durationSeconds: { from: 'billsec' },
    usageType: { constant: 'voice' },
    origin: { from: 'caller_id_number' },
    destination: { from: 'destination_number' },
    attributes: {
      callerIdName: { from: 'caller_id_name' },
      context: { from: 'context' },
      hangupCause: { from: 'hangup_cause' },
      accountcode: { from: 'accountcode' },
      totalSeconds: { from: 'duration' },
      codecs: { concat: [{ from: 'read_codec' }, { from: 'write_codec' }], separator: '/' },
    },
  },
  categories: { default: 'TELEPHONY' },
  duplicateKey: SPEC_DUPLICATE_KEY,
  errorRules: TELEPHONY_RULES,
};

const GENERIC_MAPPING: FeedDefinitionInput['mapping'] = {
  id: { from: 'id' },
  serviceIdentifier: { from: 'meter_id' },
  serviceIdentifierType: { from: 'meter_type', default: 'METER' },
  start: { from: 'timestamp', transforms: [{ op: 'parseDateTime', format: 'iso8601', timeZone: 'UTC' }] },
  end: { from: 'end_timestamp', transforms: [{ op: 'parseDateTime', format: 'iso8601', timeZone: 'UTC' }] },
  durationSeconds: { from: 'duration_seconds' },
  quantity: { from: 'quantity' },
  unit: { from: 'unit' },
  usageType: { from: 'metric' },
  origin: { from: 'origin' },
  destination: { from: 'destination' },
  attributes: { region: { from: 'region' } },
};

const GENERIC_CATEGORIES: FeedDefinitionInput['categories'] = {
  rules: [
    { category: 'TELEPHONY', when: { field: 'usageType', oneOf: ['voice', 'sms', 'mms'] } },
    { category: 'DATA', when: { field: 'usageType', oneOf: ['data', 'egress', 'ingress'] } },
  ],
  default: 'MISC',
};

/** Generic metering, one JSON object per line: id, meter_id, meter_type, timestamp, end_timestamp, duration_seconds, quantity, unit, metric, origin, destination, region. */
export const GENERIC_METERING_JSONL: FeedDefinitionInput = {
  schemaVersion: 1,
  id: 'generic-metering-jsonl',
  version: 1,
  name: 'Generic metering (JSON lines)',
  format: { kind: 'jsonLines' },
  mapping: GENERIC_MAPPING,
  categories: GENERIC_CATEGORIES,
  duplicateKey: ['id'],
  errorRules: TELEPHONY_RULES,
};

/** Generic metering as CSV with a header row naming the same fields. */
export const GENERIC_METERING_CSV: FeedDefinitionInput = {
  ...GENERIC_METERING_JSONL,
  id: 'generic-metering-csv',
  name: 'Generic metering (CSV with header)',
  format: { kind: 'delimited', delimiter: ',', quote: '"', header: true },
};

export const BUILT_IN_FEEDS: Readonly<Record<string, FeedDefinitionInput>> = {
  [ASTERISK_CDR_CSV.id]: ASTERISK_CDR_CSV,
  [FREESWITCH_CDR_CSV.id]: FREESWITCH_CDR_CSV,
  [GENERIC_METERING_JSONL.id]: GENERIC_METERING_JSONL,
  [GENERIC_METERING_CSV.id]: GENERIC_METERING_CSV,
};
