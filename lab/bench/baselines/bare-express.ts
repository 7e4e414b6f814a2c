// Yardstick: Express with its defaults and nothing else (no helmet, no logging), same bodies as the app.
import express from 'express';
import { serveTimeRoutes } from './express-routes.ts';

serveTimeRoutes(express());
