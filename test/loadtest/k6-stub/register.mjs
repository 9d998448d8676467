// `node --import ./register.mjs`: k6 modules resolve to the stand-ins here, loadtest/*.js load as ES modules.
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
