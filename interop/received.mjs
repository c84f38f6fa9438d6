#!/usr/bin/env node
// received.mjs: verify a credential a wallet received (wallet.mjs), its
// status read from the lists served under ORIGIN over HTTPS.
//
//   node received.mjs FILE ORIGIN -> {"verified":bool,"revoked":bool,...}

import {readFile} from 'node:fs/promises';

import {verifyReceived} from './wallet.mjs';

if(process.argv.length !== 4) {
  process.stderr.write('usage: node received.mjs FILE ORIGIN\n');
  process.exit(2);
}
const credential = JSON.parse(await readFile(process.argv[2], 'utf8'));
process.stdout.write(JSON.stringify(
  await verifyReceived(credential, process.argv[3])) + '\n');
