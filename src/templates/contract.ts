/** The shape of a template as the API returns it: a contract module (docs/ARCHITECTURE.md, Layout). */

export type TemplateKind = 'message' | 'invite' | 'reply';

export interface Template {
  id: string;
  kind: TemplateKind;
  name: string;
  content: string;
  advanced: boolean;
  createdAt: string;
  updatedAt: string;
}
