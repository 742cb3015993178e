-- Reserved: key epochs take this number.
SELECT 1;
