import { useState } from 'preact/hooks';
import { api } from '../../api/client';
import type { Invitation, Page, Role, TeamMember } from '../../api/types';
import { useResource } from '../../api/use-resource';
import { AsyncView } from '../../components/async';
import { ConfirmButton } from '../../components/confirm-button';
import { FormError, SelectField, SubmitButton, TextField, useSubmit } from '../../components/form';
import { Page as Screen, Section } from '../../components/page';
import { formatDateTime, t } from '../../i18n';
import { roleAllows, useSession } from '../../session';

const roles: Role[] = ['viewer', 'admin', 'owner'];
const roleOptions = () => roles.map((r) => ({ value: r, label: t(`role.${r}`) }));

/** Who can use this account, with which role; invitations by e-mail. Owners manage the team. */
export function TeamSettings() {
  const { me } = useSession();
  const owner = roleAllows(me.member.role, 'owner');
  const members = useResource<Page<TeamMember>>('api/members?limit=100');
  const invitations = useResource<Page<Invitation>>(owner ? 'api/members/invitations?limit=100' : null);
  return (
    <Screen title={t('settings.team')} back="settings">
      <p class="muted">{t('team.roles')}</p>
      <Section title={t('team.members')}>
        <AsyncView resource={members}>
          {(d) => (
            <ul class="list">
              {d.items.map((m) => <MemberRow key={m.id} member={m} self={m.id === me.member.id} canEdit={owner} onChanged={() => members.reload(true)} />)}
            </ul>
          )}
        </AsyncView>
      </Section>
      {owner && (
        <Section title={t('team.invitations')}>
          <AsyncView resource={invitations} isEmpty={(d) => !d.items.some((inv) => inv.status === 'pending')} empty={<p class="small">{t('team.noInvitations')}</p>}>
            {(d) => (
              <ul class="list">
                {d.items.filter((inv) => inv.status === 'pending').map((inv) => <InvitationRow key={inv.id} invitation={inv} onChanged={() => invitations.reload(true)} />)}
              </ul>
            )}
          </AsyncView>
          <InviteForm onInvited={() => invitations.reload(true)} />
        </Section>
      )}
    </Screen>
  );
}

function MemberRow({ member, self, canEdit, onChanged }: { member: TeamMember; self: boolean; canEdit: boolean; onChanged(): void }) {
  const [role, setRole] = useState<Role>(member.role);
  const change = useSubmit(() => api('PATCH', `api/members/${member.id}`, { role }), onChanged);
  const remove = useSubmit(() => api('DELETE', `api/members/${member.id}`), onChanged);
  return (
    <li class="list-item wrap">
      <span class="grow">
        <strong>{member.displayName ?? member.username}</strong>{self && <small class="muted"> ({t('team.you')})</small>}
        <small class="muted">{member.email}{member.lastLoginAt && ` · ${t('team.lastLogin', { at: formatDateTime(member.lastLoginAt) })}`}</small>
      </span>
      {canEdit && !self ? (
        <form class="row" onSubmit={change.submit}>
          <SelectField<Role> label={t('team.role')} value={role} onValue={setRole} options={roleOptions()} error={change.fieldError('role')} />
          {role !== member.role && <SubmitButton submission={change} label={t('common.save')} />}
          <ConfirmButton label={t('team.remove')} question={t('team.removeQuestion', { name: member.username })} onConfirm={() => void remove.submit()} busy={remove.busy} />
          <FormError submission={change} fields={['role']} />
          <FormError submission={remove} />
        </form>
      ) : <span class="badge muted">{t(`role.${member.role}`)}</span>}
    </li>
  );
}

function InvitationRow({ invitation, onChanged }: { invitation: Invitation; onChanged(): void }) {
  const revoke = useSubmit(() => api('DELETE', `api/members/invitations/${invitation.id}`), onChanged);
  return (
    <li class="list-item">
      <span class="grow"><strong>{invitation.email}</strong><small class="muted">{t(`role.${invitation.role}`)} · {t('team.expires', { at: formatDateTime(invitation.expiresAt) })}</small></span>
      <ConfirmButton label={t('team.revoke')} question={t('team.revokeQuestion', { email: invitation.email })} onConfirm={() => void revoke.submit()} busy={revoke.busy} />
      <FormError submission={revoke} />
    </li>
  );
}

function InviteForm({ onInvited }: { onInvited(): void }) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [sent, setSent] = useState<{ email: string; emailSent: boolean }>();
  const invite = useSubmit(() => api<{ invitation: Invitation; emailSent: boolean }>('POST', 'api/members/invitations', { email, role }),
    (r) => { setEmail(''); setSent({ email: r.invitation.email, emailSent: r.emailSent }); onInvited(); });
  return (
    <form onSubmit={invite.submit} noValidate>
      <h3>{t('team.invite')}</h3>
      <TextField label={t('register.email')} type="email" required value={email} onValue={setEmail} error={invite.fieldError('email')} />
      <SelectField<Role> label={t('team.role')} value={role} onValue={setRole} options={roleOptions()} error={invite.fieldError('role')} />
      <FormError submission={invite} fields={['email', 'role']} />
      <SubmitButton submission={invite} label={t('team.sendInvite')} busyLabel={t('common.sending')} />
      {sent && <p class={sent.emailSent ? 'notice ok' : 'notice warn'} role="status">{t(sent.emailSent ? 'team.invited' : 'team.inviteMailFailed', { email: sent.email })}</p>}
    </form>
  );
}
