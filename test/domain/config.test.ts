import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../lib/config';

describe('configuration', () => {
  it('has working defaults for one machine', () => {
    expect(loadConfig({})).toMatchObject({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/meterflow', TEMPORAL_ADDRESS: '127.0.0.1:7233',
      TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: 'meterflow', API_PORT: 3000, PUBLIC_URL: 'http://127.0.0.1:3000',
    });
  });

  it.each([
    ['DATABASE_URL', 'mysql://x'],
    ['TEMPORAL_ADDRESS', 'localhost'],
    ['API_PORT', '70000'],
    ['LOG_LEVEL', 'loud'],
  ])('fails fast naming %s', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });
});
