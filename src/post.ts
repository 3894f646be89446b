import { cleanup } from './cleanup.js';

cleanup();
