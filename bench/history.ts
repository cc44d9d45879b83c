// Sizes of what a workflow's history carries: the benches print the largest payload of any event.

/** Bytes of every payload in one history event (inputs, results, Update arguments). */
export function payloadBytes(node: unknown): number {
  if (!node || typeof node !== 'object') return 0;
  if (node instanceof Uint8Array) return 0;
  let total = 0;
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    if (key === 'payloads' && Array.isArray(value)) total += value.reduce((n: number, p: { data?: Uint8Array }) => n + (p?.data?.byteLength ?? 0), 0);
    else total += payloadBytes(value);
  }
  return total;
}

export const largestPayloadBytes = (events: readonly unknown[]) => Math.max(0, ...events.map(payloadBytes));
