// Dates in the console, as pure functions of the language (i18n/index.svelte.ts binds them to the UI language;
// pure helpers such as renewalStatus.ts take the language explicitly and are unit-tested).

/** Dates from the API are `YYYY-MM-DD`: formatted as calendar dates, never shifted by the time zone. */
export function formatIsoDate(lang: string, isoDate: string): string {
  const date = new Date(`${isoDate.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return isoDate;
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeZone: 'UTC' }).format(date);
}
