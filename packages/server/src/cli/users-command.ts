import { createInterface } from 'node:readline';
import { ZodError } from 'zod';
import { systemClock } from '../clock.ts';
import { loadConfig } from '../config.ts';
import { createDashboardUser } from '../dashboard/users.ts';
import { openStore } from './bootstrap.ts';

/** Reads a line without echoing it (a password at a terminal). */
function askHidden(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
    const out = rl as unknown as { _writeToOutput: (s: string) => void };
    let asked = false;
    out._writeToOutput = (s: string) => {
      if (!asked) {
        asked = true;
        process.stdout.write(s);
      }
    };
    rl.question(question, (answer) => {
      rl.close();
      process.stdout.write('\n');
      resolve(answer);
    });
  });
}

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return text.replace(/\r?\n$/, '');
}

/**
 * `kassa users create --merchant mer_… --email … [--role owner|viewer] [--password-stdin]`:
 * a dashboard account. At a terminal it asks for a password (empty: one is made);
 * otherwise, or with nothing typed, it prints a generated one once.
 */
export async function usersCommand(opts: {
  merchant?: string;
  email?: string;
  role?: string;
  passwordStdin: boolean;
}) {
  if (!opts.merchant) throw new Error('users create: --merchant mer_… is required');
  if (!opts.email) throw new Error('users create: --email is required');
  let password: string | undefined;
  if (opts.passwordStdin) password = await readStdin();
  else if (process.stdin.isTTY) {
    password =
      (await askHidden('Password (at least 12 characters; empty: make one): ')) || undefined;
  }
  const config = loadConfig();
  const store = await openStore(config);
  try {
    const {
      user,
      password: shown,
      generated,
    } = await createDashboardUser(store, systemClock, {
      merchantId: opts.merchant,
      email: opts.email,
      role: opts.role as 'owner' | 'viewer' | undefined,
      password,
    });
    process.stdout.write(
      `Created ${user.role} ${user.email} for ${user.merchantId}\n` +
        (generated
          ? `  password: ${shown}   (shown once, for the first sign-in: a new one is asked for then)\n`
          : '') +
        `  sign in at ${config.publicUrl}/dashboard\n`,
    );
  } catch (err) {
    if (err instanceof ZodError) {
      const issue = err.issues[0];
      const field = {
        merchantId: '--merchant',
        email: '--email',
        role: '--role',
        password: 'password',
      }[String(issue?.path[0]) as 'email'];
      throw new Error(`users create: ${field ?? issue?.path.join('.')} ${issue?.message}`);
    }
    throw err;
  } finally {
    await store.close();
  }
}
