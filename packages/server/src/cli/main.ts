#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { keysCommand } from './keys-command.ts';
import { merchantsCommand } from './merchants-command.ts';
import { openApiCommand } from './openapi-command.ts';
import { processorsCommand } from './processors-command.ts';
import { reconcileCommand } from './reconcile-command.ts';
import { startCommand, workerCommand } from './start-command.ts';
import { usersCommand } from './users-command.ts';

const USAGE = `Usage: kassa <command>

Commands:
  start [--processes N]      start the gateway and its worker (KASSA_PORT, KASSA_DATABASE_URL, KASSA_PUBLIC_URL);
                             N gateway processes on one port need PostgreSQL (or KASSA_PROCESSES)
  worker                     run only the background worker (webhooks, async payments, expiry);
                             start the gateway with KASSA_RUN_WORKER=false to split them
  reconcile --date YYYY-MM-DD [--csv]
                             compare a day with the processors' settlement reports (JSON, or CSV)
  openapi [--dashboard]      print the OpenAPI 3.1 document of the API (as served at /openapi.json),
                             or of the dashboard's own API
  merchants create --name N --origin URL [--origin URL…] [--live] [--upi-collect] [--json]
                             create a merchant and print its keys (secret keys are shown only once);
                             --upi-collect offers UPI collect requests (off: UPI by app and QR only)
  processors set stripe --merchant mer_… --mode test|live
                 --secret-key sk_… --publishable-key pk_… --webhook-secret whsec_…
                             connect a merchant's Stripe account (sealed with KASSA_ENCRYPTION_KEY);
                             each value may come from KASSA_STRIPE_SECRET_KEY etc. instead
  processors set razorpay --merchant mer_… --mode test|live
                 --key-id rzp_… --key-secret … --webhook-secret …
                             connect a merchant's Razorpay account; or KASSA_RAZORPAY_KEY_ID,
                             KASSA_RAZORPAY_KEY_SECRET, KASSA_RAZORPAY_WEBHOOK_SECRET
  keys expire --merchant mer_… --mode test|live --last4 abcd
                             a leaked secret key ends now, on every process; the current key is
                             replaced by a new one, printed once
  processors list --merchant mer_…
                             the merchant's processor accounts and their webhook URLs
  users create --merchant mer_… --email E [--role owner|viewer] [--password-stdin]
                             a dashboard account (KASSA_PUBLIC_URL/dashboard); asks for a
                             password at a terminal, or prints a generated one once
`;

const MAX_PROCESSES = 256;

async function main(argv: string[]) {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start': {
      const { values } = parseArgs({ args: rest, options: { processes: { type: 'string' } } });
      const processes = values.processes === undefined ? undefined : Number(values.processes);
      // The same bounds as KASSA_PROCESSES.
      if (
        processes !== undefined &&
        !(Number.isInteger(processes) && processes >= 1 && processes <= MAX_PROCESSES)
      ) {
        throw new Error(`start: --processes must be a whole number from 1 to ${MAX_PROCESSES}`);
      }
      return startCommand({ processes });
    }
    case 'worker':
      return workerCommand();
    case 'reconcile': {
      const { values } = parseArgs({
        args: rest,
        options: { date: { type: 'string' }, csv: { type: 'boolean', default: false } },
      });
      return reconcileCommand(values);
    }
    case 'openapi': {
      const { values } = parseArgs({
        args: rest,
        options: { dashboard: { type: 'boolean', default: false } },
      });
      return openApiCommand(values);
    }
    case 'merchants': {
      const [sub, ...args] = rest;
      if (sub !== 'create') break;
      const { values } = parseArgs({
        args,
        options: {
          name: { type: 'string' },
          origin: { type: 'string', multiple: true, default: [] },
          live: { type: 'boolean', default: false },
          'upi-collect': { type: 'boolean', default: false },
          json: { type: 'boolean', default: false },
        },
      });
      return merchantsCommand({ ...values, upiCollect: values['upi-collect'] });
    }
    case 'keys': {
      const [sub, ...args] = rest;
      if (sub !== 'expire') break;
      const { values } = parseArgs({
        args,
        options: {
          merchant: { type: 'string' },
          mode: { type: 'string' },
          last4: { type: 'string' },
        },
      });
      return keysCommand(values);
    }
    case 'users': {
      const [sub, ...args] = rest;
      if (sub !== 'create') break;
      const { values } = parseArgs({
        args,
        options: {
          merchant: { type: 'string' },
          email: { type: 'string' },
          role: { type: 'string' },
          'password-stdin': { type: 'boolean', default: false },
        },
      });
      return usersCommand({ ...values, passwordStdin: values['password-stdin'] });
    }
    case 'processors': {
      const [sub, ...args] = rest;
      if (sub !== 'set' && sub !== 'list') break;
      // Each processor names its own fields (--secret-key, --key-id, …): each takes a
      // value, and the processor's list checks them when its account is saved.
      const positionals: string[] = [];
      const given: Record<string, string> = {};
      for (let i = 0; i < args.length; i++) {
        const arg = args[i] as string;
        const m = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(arg);
        if (!m) {
          positionals.push(arg);
          continue;
        }
        const value = m[2] ?? args[++i];
        if (value === undefined || (m[2] === undefined && value.startsWith('--'))) {
          throw new Error(`processors: --${m[1]} needs a value`);
        }
        given[(m[1] as string).replace(/-/g, '_')] = value;
      }
      const { merchant, mode, ...fields } = given;
      return processorsCommand(sub, positionals[0], { merchant, mode, fields });
    }
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(USAGE);
      return;
  }
  process.stderr.write(`kassa: unknown command '${argv.join(' ')}'\n\n${USAGE}`);
  process.exitCode = 2;
}

main(process.argv.slice(2)).catch((err: Error) => {
  process.stderr.write(`kassa: ${err.message}\n`);
  process.exitCode = 1;
});
