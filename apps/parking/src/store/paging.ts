/** A page of a listing, as the API's offset/limit turn into it. */
export interface Paging {
  skip: number;
  take: number;
}
