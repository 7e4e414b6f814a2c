import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../src/http/security-headers.ts';
import { testApp } from '../support/test-app.ts';

describe('security headers', () => {
  it('send a strict, explicit Content-Security-Policy', async () => {
    const res = await request(testApp().app).get('/');
    const csp = String(res.headers['content-security-policy']);
    const directives = Object.fromEntries(
      csp.split(';').map((directive) => {
        const [name = '', ...values] = directive.trim().split(/\s+/);
        return [name, values.join(' ')];
      }),
    );
    expect(directives).toEqual({
      'default-src': "'self'",
      'script-src': "'self'",
      'style-src': "'self'",
      'img-src': "'self'",
      'connect-src': "'self'",
      'font-src': "'self'",
      'object-src': "'none'",
      'base-uri': "'none'",
      'form-action': "'none'",
      'frame-ancestors': "'none'",
    });
  });

  it('send no HSTS: the app serves plain HTTP, and HSTS belongs to whatever terminates TLS', async () => {
    const res = await request(testApp().app).get('/');
    expect(res.headers['strict-transport-security']).toBeUndefined();
  });

  it('never allow inline code, and never upgrade to HTTPS (the app serves plain HTTP)', async () => {
    const csp = String((await request(testApp().app).get('/')).headers['content-security-policy']);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).not.toContain('upgrade-insecure-requests');
  });

  it.each(['/', '/api/time', '/healthz', '/no/such/page', '/%zz'])(
    '%s carries no X-Powered-By and sets nosniff and the CSP',
    async (path) => {
      const res = await request(testApp().app).get(path);
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toBe(
        Object.entries(CONTENT_SECURITY_POLICY)
          .map(([directive, sources]) => `${directive} ${sources.join(' ')}`)
          .join(';'),
      );
    },
  );
});
