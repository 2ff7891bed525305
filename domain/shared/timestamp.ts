/** Timestamps travel through the domain as ISO-8601 UTC strings with milliseconds. */
export type Timestamp = string;
