// Package api holds the JSON types of the management interfaces: M1–M3 of
// the standard (§6.3) and the applicant calls we define for registration,
// modification, cancellation and status (§6.1 requires them, names none).
//
// Decoding goes through internal/lenient, as in internal/sns/wire:
//
//   - keys match after trimming white space and ignoring ASCII case;
//   - the two spellings of the source are both accepted: "serverType" for
//     M1's "productType" and back, "serverStatus" for M1's "status";
//   - string fields accept numbers (code 0 reads as "0"), integer fields
//     accept decimal strings (status "1", lastQueryTime "1700000000000");
//   - serverId, serverIds and requestId lose surrounding white space (the
//     source's M1 sample has " vrv-linkdood ");
//   - null and "" read as zero values; unknown keys are ignored; a field
//     sent twice under any spelling is an error.
//
// Output uses the source's spellings: code is a string ("0"), status a
// number, times are milliseconds since the Unix epoch, lists are [] not null.
// Validate on each request returns a *lenient.FieldError naming the field.
package api
