/** What a template field's value is used for (K_*): shared by the compiler and the scanner generator. */
export const K_IGNORE = 0;
export const K_IP = 1;
export const K_USER = 2;
export const K_REQUEST = 3;
export const K_METHOD = 4;
/** A path without query (%U, $uri). */
export const K_PATH = 5;
/** A query with its leading '?' or '' (%q). */
export const K_QUERY_Q = 6;
/** A query without '?' ($args). */
export const K_QUERY = 7;
/** Path and query ($request_uri). */
export const K_REQUEST_URI = 8;
export const K_PROTOCOL = 9;
export const K_STATUS = 10;
export const K_BYTES = 11;
export const K_REFERRER = 12;
export const K_USER_AGENT = 13;
export const K_FORWARDED_FOR = 14;
export const K_VHOST = 15;
export const K_TIME_CLF = 16;
export const K_TIME_ISO = 17;
export const K_TIME_EPOCH = 18;
export const K_TIME_STRF = 19;
/** Time taken to serve the request (%D, %T, $request_time); `scale` is its unit in µs. */
export const K_TIME_TAKEN = 20;

