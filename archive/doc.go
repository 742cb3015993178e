// Package archive is the pure logic of Hallway's records: the export
// format (a JSON document whose every message carries its author's proof,
// with a digest of the whole signed by the exporting node), its rendering
// as one self-contained HTML page, the verification of either by anyone
// holding the file, and the parsing and highlighting of search queries.
//
// It reads no database and opens no connection: core gathers what an
// export holds and hands it over; verification needs nothing but the file.
// The format is described in docs/ARCHIVE.md.
package archive
