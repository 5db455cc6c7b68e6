// Malformed values for every input that has a flag: see properties.ts.
import { describeMalformed, useWorld } from './properties.js';

describeMalformed('flag', useWorld());
