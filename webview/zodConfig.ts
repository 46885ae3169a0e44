/**
 * Imported first by main.ts, before any schema is built: zod compiles parsers with `new Function`
 * when it may, and probing for that is reported as a CSP violation (the panel forbids eval).
 */
import { z } from 'zod';

z.config({ jitless: true });
