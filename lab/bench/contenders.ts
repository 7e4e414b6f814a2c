/** The contenders the app's throughput is held against; their names are the throughput rows'. */
export const APP = 'app';
export const APP_ON_DEFAULTS = "app on Node's defaults";
export const PEER = 'peer: Express, helmet, pino-http';
export const BARE_EXPRESS = 'bare Express';
export const BARE_HTTP = 'bare node:http';
