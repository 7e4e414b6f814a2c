import helmet from 'helmet';

// Written out in full rather than extending helmet's defaults, which allow 'unsafe-inline' styles and add
// upgrade-insecure-requests: the app is served over plain HTTP, and that directive would make browsers
// fetch /static/ over HTTPS and lose the clock script everywhere but localhost.
export const CONTENT_SECURITY_POLICY = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'"],
  'connect-src': ["'self'"],
  'font-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
};

export function securityHeaders() {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    // HSTS is for HTTPS origins: sent over plain HTTP it means nothing, and behind a TLS proxy that shares
    // this host name it would pin every subdomain to HTTPS for a year. The proxy that terminates TLS sets it.
    strictTransportSecurity: false,
  });
}
