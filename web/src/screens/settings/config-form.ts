import { useEffect, useState } from 'preact/hooks';
import { api, type ApiError } from '../../api/client';
import { useResource, type Resource } from '../../api/use-resource';
import { useSubmit, type Submission } from '../../components/form';

export type Config = Record<string, unknown>;

export interface ConfigForm {
  resource: Resource<{ config: Config }>;
  draft: Config | undefined;
  set(key: string, value: unknown): void;
  save: Submission;
  saved: boolean;
  /** The API's problem with one key's value, shown by that key's control. */
  errorFor(key: string): string | undefined;
}

/**
 * Tenant settings from GET /api/config, edited together and saved key by key through
 * POST /api/config/update (only changed keys). A refused key keeps its error by its control.
 */
export function useConfigForm(): ConfigForm {
  const resource = useResource<{ config: Config }>('api/config');
  const [draft, setDraft] = useState<Config>();
  const [failedKey, setFailedKey] = useState<string>();
  const [saved, setSaved] = useState(false);
  useEffect(() => { if (resource.data) setDraft(resource.data.config); }, [resource.data]);

  const save = useSubmit(async () => {
    const before = resource.data?.config ?? {};
    setFailedKey(undefined);
    for (const [key, value] of Object.entries(draft ?? {})) {
      if (JSON.stringify(before[key]) === JSON.stringify(value)) continue;
      try {
        await api('POST', 'api/config/update', { config_key: key, config_value: value });
      } catch (error) {
        setFailedKey(key);
        throw error;
      }
    }
  }, () => { setSaved(true); resource.reload(true); });

  return {
    resource, draft, save, saved,
    set: (key, value) => { setSaved(false); setDraft({ ...draft, [key]: value }); },
    errorFor: (key) => {
      const error: ApiError | undefined = save.error;
      if (!error || failedKey !== key) return undefined;
      return error.fields.map((f) => f.message).join('; ') || error.message;
    },
  };
}
