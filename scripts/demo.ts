// The demo the main command runs through the HTTP API, step by step, as an operator, a vendor and a
// provider would: catalog, a usage file uploaded with an error, its processed file, the fix, submit,
// acceptance from the signed link in the provider's mail, export, reconciliation, closed. Each step
// prints what it did; any unexpected answer stops the demo with the response.
import type { SmtpSink } from '../lib/smtp-sink';
import { reviewLinks } from '../lib/smtp-sink';

export interface DemoKeys {
  vendor: { partyId: string; apiKey: string };
  provider: { partyId: string; apiKey: string };
  admin: { partyId: string; apiKey: string };
}

type Say = (line: string) => void;
type Json = Record<string, unknown> & { id: string; status: string };

/** `mail`: the SMTP sink the worker sends to; without one (a real SMTP_URL) the provider accepts through the API. */
export async function runDemo(apiUrl: string, keys: DemoKeys, say: Say, mail?: SmtpSink): Promise<void> {
  const request = async (method: string, path: string, key: string, body?: unknown, expected = 200, contentType = 'application/json') => {
    const res = await fetch(`${apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': contentType },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    if (res.status !== expected) throw new Error(`${method} ${path}: expected ${expected}, got ${res.status}: ${await res.text()}`);
    return res;
  };
  const call = async (method: string, path: string, key: string, body?: unknown, expected = 200) =>
    (await (await request(method, path, key, body, expected)).json()) as Json;
  const waitFor = async (id: string, statuses: string[]) => {
    for (let i = 0; i < 600; i++) {
      const file = await call('GET', `/v1/usage-files/${id}`, keys.vendor.apiKey);
      if (statuses.includes(file.status)) return file;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`usage file ${id} did not reach ${statuses.join('/')}`);
  };

  const email = `billing+${Date.now()}@northwind.example`;
  const contract = await call('POST', '/v1/contracts', keys.admin.apiKey, { vendorId: keys.vendor.partyId, providerId: keys.provider.partyId, name: 'Acme × Northwind distribution', providerEmail: email }, 201);
  const product = await call('POST', '/v1/products', keys.vendor.apiKey, { name: 'Acme Object Storage', schema: 'PR' }, 201);
  await call('POST', `/v1/products/${product.id}/items`, keys.vendor.apiKey, { mpn: 'MPN-STORAGE-GB', name: 'Storage', unit: 'GB', precision: 'decimal_2' }, 201);
  const asset = await call('POST', '/v1/assets', keys.provider.apiKey, { productId: product.id, customerName: 'Contoso', params: { tenant_id: 'tenant-42' } }, 201);
  say(`catalog: contract ${contract.id} (active), product ${product.id} (schema PR, item MPN-STORAGE-GB), asset ${asset.id}`);
  const template = await request('GET', `/v1/products/${product.id}/usage-template`, keys.vendor.apiKey);
  say(`vendor downloaded the PR template: ${(await template.arrayBuffer()).byteLength} bytes of XLSX`);

  const file = await call('POST', '/v1/usage-files', keys.vendor.apiKey, {
    name: 'Demo usage, March 2024', productId: product.id, contractId: contract.id, currency: 'EUR',
    period: { from: '2024-03-01T00:00:00Z', to: '2024-03-31T23:59:59Z' },
  }, 201);
  say(`vendor created usage file ${file.id} (${file.status})`);
  const refused = await call('POST', `/v1/usage-files/${file.id}/accept`, keys.provider.apiKey, {}, 409);
  say(`provider tried to accept a draft: 409 ${(refused.error as { message: string }).message}`);

  const header = 'record_id,item_search_criteria,item_search_value,quantity,amount,start_time_utc,end_time_utc,asset_search_criteria,asset_search_value';
  const row = (n: number, quantity: string) => `r-${n},item.mpn,MPN-STORAGE-GB,${quantity},${(n * 1.25).toFixed(2)},2024-03-01 00:00:00,2024-03-31 23:59:59,asset.id,${asset.id}`;
  const sheet = (bad: boolean) => [header, row(1, '120.5'), row(2, bad ? '10.125' : '10.12'), row(3, '7')].join('\r\n') + '\r\n';
  await request('POST', `/v1/usage-files/${file.id}/upload`, keys.vendor.apiKey, sheet(true), 202, 'text/csv');
  const invalid = await waitFor(file.id, ['invalid', 'ready']);
  say(`vendor uploaded 3 rows with an error: ${invalid.status} (${invalid.errorDetail as string})`);
  const processed = await request('GET', `/v1/usage-files/${file.id}/processed-file`, keys.vendor.apiKey);
  const errors = await (await request('GET', `/v1/usage-files/${file.id}/errors.csv`, keys.vendor.apiKey)).text();
  say(`processed file: ${(await processed.arrayBuffer()).byteLength} bytes of XLSX, the failing cell marked; errors.csv: ${errors.trim().split('\r\n').slice(1).join(' | ')}`);

  await request('POST', `/v1/usage-files/${file.id}/upload`, keys.vendor.apiKey, sheet(false), 202, 'text/csv');
  const ready = await waitFor(file.id, ['ready', 'invalid']);
  say(`vendor fixed the row and uploaded again: ${ready.status}, records ${JSON.stringify(ready.records)}`);

  await call('POST', `/v1/usage-files/${file.id}/submit`, keys.vendor.apiKey, {});
  if (mail) {
    const message = await mail.waitFor((m) => m.to.includes(email) && m.text.includes(`The usage file ${file.id}`));
    const links = reviewLinks(message);
    say(`vendor submitted: pending; the provider got a mail at ${email} with signed accept/reject links`);
    const page = await fetch(links.accept);
    say(`opening the accept link shows a confirmation page (${page.status}) and changes nothing: ${(await waitFor(file.id, ['pending'])).status}`);
    const confirmed = await fetch(links.accept, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'note=Checked+by+Northwind' });
    if (confirmed.status !== 200) throw new Error(`accept by link: ${confirmed.status} ${await confirmed.text()}`);
    const accepted = await waitFor(file.id, ['accepted']);
    const again = await fetch(links.accept, { method: 'POST', body: '' });
    say(`provider confirmed on the page: ${accepted.status}, records ${JSON.stringify(accepted.records)}; the link used again answers ${again.status}`);
  } else {
    const accepted = await call('POST', `/v1/usage-files/${file.id}/accept`, keys.provider.apiKey, { note: 'Checked by Northwind' });
    say(`vendor submitted; mail went to ${email} over SMTP_URL; the provider accepted through the API: ${accepted.status}`);
  }

  const exported = await (await request('GET', `/v1/usage-files/${file.id}/export?format=csv`, keys.provider.apiKey)).text();
  say(`provider exported the file for billing: ${exported.trim().split('\r\n').length - 1} records (CSV; XLSX too)`);

  const recon = ['record_id,external_billing_id,external_billing_note', 'r-1,INV-2024-0042,March', 'r-2,INV-2024-0042,March', 'r-3,INV-2024-0042,March'].join('\r\n');
  const reconciliation = await (await request('POST', `/v1/usage-files/${file.id}/reconciliations`, keys.provider.apiKey, recon, 202, 'text/csv')).json() as Json;
  const closed = await waitFor(file.id, ['closed']);
  const outcome = (await call('GET', `/v1/usage-files/${file.id}/reconciliations`, keys.provider.apiKey)).items as Array<{ status: string; closedCount: number }>;
  say(`provider uploaded reconciliation ${reconciliation.id}: ${outcome[0]?.status}, ${outcome[0]?.closedCount} records closed; the file is ${closed.status}`);

  const events = (await call('GET', `/v1/usage-files/${file.id}`, keys.vendor.apiKey)).events as Array<{ action: string; toStatus: string }>;
  say(`event log: ${events.map((e) => `${e.action}→${e.toStatus}`).join(', ')}`);
}
