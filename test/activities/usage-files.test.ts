import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { findUsageFile, insertUsageFile, listUsageFileEvents } from '../../db/queries/usage-files';
import { aMarketplace } from '../fixtures/parties';
import { useIntegration } from '../helpers/integration';

const ctx = useIntegration({ worker: false });

describe('recordFileTransition', () => {
  it('is idempotent: called twice (a retried activity), it records one event and one status change', async () => {
    const m = await aMarketplace(ctx.database.db);
    const fileId = `UF-TEST-${randomUUID()}`;
    await insertUsageFile(ctx.database.db, {
      id: fileId, vendorId: m.vendor.party.id, providerId: m.provider.party.id, name: 'a', currency: 'EUR',
      environment: 'production', periodFrom: new Date('2024-03-01T00:00:00Z'), periodTo: new Date('2024-03-31T00:00:00Z'),
    });
    const { recordFileTransition } = createActivities({ database: ctx.database });
    const t = {
      fileId, seq: 1, action: 'delete', fromStatus: 'draft' as const, toStatus: 'deleted' as const,
      actorPartyId: m.vendor.party.id, actorKeyId: m.vendor.keyId, note: '', at: '2026-01-01T00:00:00.000Z',
    };
    expect(await recordFileTransition(t)).toEqual({ applied: true });
    expect(await recordFileTransition(t)).toEqual({ applied: false });
    expect(await listUsageFileEvents(ctx.database.db, fileId)).toHaveLength(1);
    const file = await findUsageFile(ctx.database.db, fileId);
    expect(file).toMatchObject({ status: 'deleted', updatedAt: new Date(t.at) });
  });
});
