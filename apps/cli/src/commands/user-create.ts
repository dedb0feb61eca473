import { openStore } from '@numbroker/store';
import { COMMON_HELP, configOf, required, type Command } from '../command.js';

export const userCreateCommand: Command = {
  words: ['user', 'create'],
  summary: 'create a user with a wallet and print its id and API key (shown once)',
  help: `usage: numbroker user create --name NAME [--admin] [--json] [--config PATH]

Creates a user and its empty wallet in the platform currency, and prints the user id and
the API key. The key is stored hashed: it is shown this once.

  --name NAME     the user's name (1 to 200 characters)
  --admin         the user may call admin operations
  --json          print {"id","name","apiKey"} as one JSON line instead
${COMMON_HELP}`,
  options: {
    name: { type: 'string' },
    admin: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run(values, io) {
    const name = required(values, 'name');
    const config = configOf(values, io);
    const store = await openStore(config);
    try {
      const { user, apiKey } = await store.users.createUser({
        name,
        isAdmin: values.admin === true,
      });
      if (values.json) {
        io.out(JSON.stringify({ id: user.id, name: user.name, isAdmin: user.isAdmin, apiKey }));
      } else {
        io.out(`user id: ${user.id}`);
        io.out(`api key: ${apiKey}`);
      }
    } finally {
      await store.close();
    }
  },
};
