// Package wire holds the JSON types of the interconnection interfaces of the
// standard (§6.2, §6.4: S1–S9, G1–G12), their envelope, and the id
// addresses "local@serverId" and "local@host:port".
//
// All parsing leniency lives here (and in internal/lenient, which every
// UnmarshalJSON calls), so handlers only ever see clean values. On input:
//
//   - keys are matched after trimming white space and ignoring ASCII case:
//     "fileID " and "messagetype" are read as fileID and messageType;
//   - listed misspellings are accepted: "deleteMembers" for the source's
//     "delateMembers", "grpset" and "gset" for each other;
//   - string fields (size, duration, ids...) accept JSON numbers;
//   - integer fields (code, type, isAgree, operType, times...) accept
//     decimal strings; "" and null read as 0;
//   - ids (senderID, userID, fileID, groupID, lists of ids...) lose
//     surrounding white space; other strings (a message, a name) are kept
//     exactly;
//   - null anywhere reads as the zero value; unknown keys are ignored;
//   - a field sent twice, under any spelling, is an error, because two
//     parsers could otherwise read different messages from one signed body;
//   - messageType is lower-cased; content is typed by it; fileID is copied
//     between messageInfo and its content when only one carries it.
//
// On output every type emits the source's own spelling ("messageType",
// "delateMembers", "fileID"), integers as numbers, sizes and durations as
// strings, and lists as [] rather than null.
//
// Decoding checks shape only; call Validate on a request before acting on
// it. Its errors are *lenient.FieldError values naming the field, e.g.
// "messageInfo.recvID: required".
package wire
