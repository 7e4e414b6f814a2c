// The peer: what a user would write instead of this app. Express with helmet's defaults and pino-http
// logging every request, the same routes and bodies, run with Node's defaults.
import express from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { serveTimeRoutes } from './express-routes.ts';

const app = express();
app.use(helmet());
app.use(pinoHttp());
serveTimeRoutes(app);
