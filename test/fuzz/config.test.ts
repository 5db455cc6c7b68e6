// Malformed values for every input that has a config: see properties.ts.
import { describeMalformed, useWorld } from './properties.js';

describeMalformed('config', useWorld());
