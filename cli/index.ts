#!/usr/bin/env -S npx tsx
// `meterflow <command>`: operator commands that need no running server.
//   party create --kind vendor|provider|customer|internal --name NAME [--role ROLE] [--label TEXT]
//   rate --plan plan.json --records usage.csv [--format json|csv]
//   migrate
import { parseArgs } from 'node:util';
import { roles, type Role } from '../domain/access';
import { createDatabase } from '../db/client';
import { migrateDatabase, assertMigrated } from '../db/migrations';
import { createApiKey, createParty, type PartyKind } from '../db/queries/parties';
import { loadConfig } from '../lib/config';

const defaultRole: Record<PartyKind, Role> = { vendor: 'vendor', provider: 'provider', customer: 'ops', internal: 'admin' };

async function partyCreate(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { kind: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' }, label: { type: 'string' } } });
  const kind = values.kind as PartyKind | undefined;
  if (!kind || !(kind in defaultRole) || !values.name) {
    console.error('usage: meterflow party create --kind vendor|provider|customer|internal --name NAME [--role ROLE]');
    return 2;
  }
  const role = (values.role ?? defaultRole[kind]) as Role;
  if (!roles.includes(role)) {
    console.error(`--role must be one of ${roles.join(', ')}`);
    return 2;
  }
  const database = createDatabase(loadConfig().DATABASE_URL, { max: 1 });
  try {
    await assertMigrated(database.sql);
    const result = await database.db.transaction(async (tx) => {
      const party = await createParty(tx, { kind, name: values.name! });
      return { party, key: await createApiKey(tx, { partyId: party.id, role, label: values.label }) };
    });
    console.log(JSON.stringify({ partyId: result.party.id, kind, name: result.party.name, role, keyId: result.key.id, apiKey: result.key.key }, null, 2));
    return 0;
  } finally {
    await database.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, sub, ...rest] = argv;
  if (command === 'party' && sub === 'create') return partyCreate(rest);
  if (command === 'migrate') {
    await migrateDatabase(loadConfig().DATABASE_URL);
    return 0;
  }
  if (command === 'rate') {
    const { rateCommand } = await import('./rate');
    return rateCommand(argv.slice(1));
  }
  console.error('usage: meterflow party create ... | meterflow rate ... | meterflow migrate');
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
