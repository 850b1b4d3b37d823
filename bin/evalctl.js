#!/usr/bin/env node
import module from 'node:module';

// Node 22.1+ keeps the compiled code of evalctl and its dependencies between runs (in the
// system's temporary folder; NODE_DISABLE_COMPILE_CACHE=1 turns it off). Node 20 has no such
// cache and skips this.
module.enableCompileCache?.();
const { main } = await import('../dist/main.js');
main(process.argv);
