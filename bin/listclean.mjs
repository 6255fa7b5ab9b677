#!/usr/bin/env node
// Runs the TypeScript CLI straight from src/ (no build step in a checkout): tsx registers
// an ESM loader that transpiles on import.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv);
