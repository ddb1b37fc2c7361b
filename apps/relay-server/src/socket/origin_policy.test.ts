import { describe, expect, it } from 'vitest';
import { normalizeOrigin, originRefusal } from './origin_policy';

const allowed = new Set(['https://dashboard.hospital.example']);

describe('originRefusal', () => {
  it('admits clients without an Origin (Node) and pages on the relay’s own host, whatever the scheme', () => {
    expect(originRefusal({ host: 'relay.example:8080' }, allowed)).toBeUndefined();
    expect(originRefusal({ host: 'relay.example:8080', origin: 'http://relay.example:8080' }, allowed)).toBeUndefined();
    expect(originRefusal({ host: 'RELAY.example', origin: 'https://relay.example' }, allowed)).toBeUndefined();
  });

  it('admits listed origins and, on a loopback relay, loopback pages on other ports (the Vite dev server)', () => {
    expect(originRefusal({ host: 'relay.example', origin: 'https://dashboard.hospital.example' }, allowed)).toBeUndefined();
    expect(originRefusal({ host: 'localhost:8080', origin: 'http://localhost:5173' }, allowed)).toBeUndefined();
    expect(originRefusal({ host: '127.0.0.1:8080', origin: 'http://[::1]:5173' }, allowed)).toBeUndefined();
  });

  it('refuses other origins, "null" and look-alikes, saying what to do', () => {
    expect(originRefusal({ host: 'relay.example', origin: 'http://evil.example' }, allowed)).toMatch(/not accepted.*--allowed-origin/);
    expect(originRefusal({ host: 'relay.example', origin: 'null' }, allowed)).toBeDefined();
    expect(originRefusal({ host: 'relay.example', origin: 'http://relay.example.evil.example' }, allowed)).toBeDefined();
    expect(originRefusal({ host: 'relay.example:8080', origin: 'http://relay.example:9090' }, allowed)).toBeDefined();
    // A loopback page may not reach a relay on a public name.
    expect(originRefusal({ host: 'relay.example', origin: 'http://localhost:5173' }, allowed)).toBeDefined();
    expect(originRefusal({ origin: 'http://relay.example' }, allowed)).toBeDefined();
  });

  it('normalizes origins as browsers send them', () => {
    expect(normalizeOrigin('HTTPS://Dashboard.Hospital.example:443/')).toBe('https://dashboard.hospital.example');
    expect(normalizeOrigin('file:///etc/passwd')).toBeUndefined();
    expect(normalizeOrigin('not a url')).toBeUndefined();
  });
});
