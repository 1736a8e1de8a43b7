import { SlackApiRefusal } from './errors';
import type { MethodHandler } from './method-context';
import { requireString } from './web-api-args';

const authTest: MethodHandler = ({ ws, baseUrl }) => ({
  url: baseUrl,
  team: ws.identity.teamDomain,
  user: ws.identity.botName,
  team_id: ws.identity.teamId,
  user_id: ws.identity.botUserId,
  bot_id: ws.identity.botId,
  is_enterprise_install: false,
});

const usersInfo: MethodHandler = ({ ws, args }) => {
  const id = requireString(args, 'user');
  const user = ws.users.get(id);
  if (!user) throw new SlackApiRefusal('user_not_found');
  const realName = user.realName ?? user.name;
  return {
    user: {
      id: user.id,
      team_id: ws.identity.teamId,
      name: user.name,
      real_name: realName,
      tz: user.tz ?? 'Europe/Berlin',
      is_bot: user.isBot ?? false,
      deleted: false,
      profile: { real_name: realName, display_name: user.name, real_name_normalized: realName },
    },
  };
};

const userGroupUsers: MethodHandler = ({ ws, args }) => {
  const id = requireString(args, 'usergroup');
  const users = ws.userGroups[id];
  if (!users) throw new SlackApiRefusal('no_such_subteam');
  return { users: [...users] };
};

const conversationsInfo: MethodHandler = ({ ws, args }) => {
  const id = requireString(args, 'channel');
  const known = ws.channels.get(id);
  if (!known && ws.channels.size > 0) throw new SlackApiRefusal('channel_not_found');
  const isPrivate = known?.isPrivate ?? id.startsWith('G');
  return {
    channel: {
      id,
      name: known?.name ?? id.toLowerCase(),
      is_channel: !isPrivate,
      is_group: isPrivate,
      is_private: isPrivate,
      is_im: id.startsWith('D'),
      is_member: known?.botMember ?? true,
      is_archived: known?.archived ?? false,
    },
  };
};

const apiTest: MethodHandler = ({ args }) => ({ args });

/** auth.test, users.info, usergroups.users.list, conversations.info, api.test */
export const directoryMethods: Record<string, MethodHandler> = {
  'auth.test': authTest,
  'users.info': usersInfo,
  'usergroups.users.list': userGroupUsers,
  'conversations.info': conversationsInfo,
  'api.test': apiTest,
};
