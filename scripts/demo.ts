// The demo the main command runs through the HTTP API, step by step, as a vendor and a provider
// would. Each step prints what it did; any unexpected answer stops the demo with the response.

export interface DemoKeys {
  vendor: { partyId: string; apiKey: string };
  provider: { partyId: string; apiKey: string };
}

type Say = (line: string) => void;

export async function runDemo(apiUrl: string, keys: DemoKeys, say: Say): Promise<void> {
  const call = async (method: string, path: string, key: string, body?: unknown, expected = 200) => {
    const res = await fetch(`${apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (res.status !== expected) throw new Error(`${method} ${path}: expected ${expected}, got ${res.status}: ${JSON.stringify(json)}`);
    return json;
  };

  const file = await call('POST', '/v1/usage-files', keys.vendor.apiKey, {
    name: 'Demo usage, March 2024', providerId: keys.provider.partyId, currency: 'EUR',
    period: { from: '2024-03-01T00:00:00Z', to: '2024-03-31T23:59:59Z' },
  }, 201);
  say(`vendor created usage file ${file.id} (${file.status})`);

  const read = await call('GET', `/v1/usage-files/${String(file.id)}`, keys.vendor.apiKey);
  say(`its workflow answers a Query: ${JSON.stringify(read.workflow)}; actions allowed now: ${(read.allowedActions as string[]).join(', ')}`);

  const refused = await call('POST', `/v1/usage-files/${String(file.id)}/accept`, keys.provider.apiKey, {}, 409);
  say(`provider tried to accept a draft: 409 ${(refused.error as { message: string }).message}`);

  const deleted = await call('POST', `/v1/usage-files/${String(file.id)}/delete`, keys.vendor.apiKey, { note: 'demo over' });
  say(`vendor deleted it: ${deleted.status}; the workflow has completed`);

  const events = (await call('GET', `/v1/usage-files/${String(file.id)}`, keys.vendor.apiKey)).events as Array<{ action: string; toStatus: string }>;
  say(`event log: ${events.map((e) => `${e.action}→${e.toStatus}`).join(', ')}`);
}
