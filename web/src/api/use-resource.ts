import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, onConnectionChange, isOnline } from './client';

export interface Resource<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  /** Fetches again; `quiet` keeps the current data on screen meanwhile (live refreshes). */
  reload(quiet?: boolean): void;
  /** Replaces the data locally after a successful change (no refetch). */
  set(data: T): void;
}

/**
 * GETs `path` (null: nothing yet) and keeps the result, the error and the loading state.
 * A resource that failed because the connection was lost loads again by itself when the
 * connection is back.
 */
export function useResource<T>(path: string | null): Resource<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: path !== null });
  const generation = useRef(0);

  const load = useCallback((quiet = false) => {
    if (path === null) return;
    const mine = ++generation.current;
    if (!quiet) setState((s) => ({ ...s, loading: true, error: undefined }));
    api<T>('GET', path).then(
      (data) => { if (mine === generation.current) setState({ data, loading: false }); },
      (error: ApiError) => { if (mine === generation.current) setState((s) => ({ data: quiet ? s.data : undefined, error, loading: false })); },
    );
  }, [path]);

  useEffect(() => { load(); }, [load]);

  const failedOffline = state.error?.code === 'network';
  useEffect(() => {
    if (!failedOffline) return;
    return onConnectionChange(() => { if (isOnline()) load(); });
  }, [failedOffline, load]);

  return {
    data: state.data,
    error: state.error,
    loading: state.loading,
    reload: load,
    set: (data: T) => setState({ data, loading: false }),
  };
}
