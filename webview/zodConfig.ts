/**
 * Imported first by main.ts, before any schema is built: zod compiles parsers with `new Function`
 * when it may, and probing for that is reported as a CSP violation (the panel forbids eval).
 * zod/mini, as src/protocol.ts uses (the configuration is shared by every zod entry point).
 */
import { config } from 'zod/mini';

config({ jitless: true });
