// The mixtral policy language. lang/SPEC.md gives the meaning of every rule here.
//
// Expressions are written as loops, not left recursion, so that a long chain
// such as `a + b + c + ...` produces a flat parse tree: parse-tree depth grows
// only with brackets, which the front end bounds before ANTLR runs
// (contract §8: nesting <= 256).
grammar Mixtral;

file_ : header? item* EOF ;

header : POLICY name=ident VERSION STRING ;

item
  : importDecl
  | typeDecl
  | requestDecl
  | attributesDecl
  | telemetryDecl
  | responseDecl
  | counterDecl
  | breakerDecl
  | letDecl
  | targetDecl
  | routeDecl
  | assertDecl
  | testDecl
  ;

importDecl     : IMPORT STRING ;
typeDecl       : TYPE ident '=' typeExpr ;
requestDecl    : REQUEST CLOSED? '{' fieldDecl* '}' ;
attributesDecl : TARGET ATTRIBUTES '{' fieldDecl* '}' ;
telemetryDecl  : TELEMETRY PER TARGET '{' fieldDecl* '}' (STALE AFTER DURATION)? ;
responseDecl   : RESPONSE '{' fieldDecl* '}' ;
fieldDecl      : ident ':' typeExpr ('=' expr)? fieldFlag* ','? ;
fieldFlag      : ID | SENSITIVE ;

typeExpr : baseType '?'? ;
baseType
  : ENUM '{' ident (',' ident)* ','? '}'               # enumType
  | LIST '<' typeExpr '>'                               # listType
  | SET '<' typeExpr '>'                                # setType
  | MAP '<' typeExpr ',' typeExpr '>'                   # mapType
  | ident                                               # namedType
  ;

// Budgets and quotas: a counter is read as `counter.NAME` and charged by routes.
counterDecl : COUNTER ident BY expr WINDOW DURATION ;
// Outlier ejection: a target whose telemetry meets the condition is ejected
// (telemetry.ejected) for the cool-down after the snapshot that showed it.
breakerDecl : BREAKER ident ':' expr COOLDOWN DURATION ;
letDecl     : LET ident '=' expr ;
targetDecl  : TARGET targetName '{' (ident ':' expr ','?)* '}' ;

routeDecl : ROUTE ident (WHEN expr | DEFAULT)? '{' routeItem* '}' ;

routeItem
  : CANDIDATES WHERE expr                                             # selectClause
  | BINDING? kind=(REQUIRE | FORBID) ident ':' expr                   # ruleClause
  | dir=(MINIMIZE | MAXIMIZE) ident ':' expr (WEIGHT expr)?           # objectiveClause
  | SPREAD TOP INT BY expr                                            # spreadClause
  | AFFINITY BY expr                                                  # affinityClause
  | FALLBACK (INT | targetList)                                       # fallbackClause
  | OTHERWISE REJECT INT STRING                                       # otherwiseReject
  | OTHERWISE DEGRADE targetRef STRING                                # otherwiseDegrade
  | SAFE DEFAULT targetRef WHEN expr STRING                            # safeDefaultClause
  | MIRROR targetRef SAMPLE rate (BY expr)? (WHEN expr)?              # mirrorClause
  | SPLIT ident BY expr (SALT STRING)? '{' splitArm+ '}'              # splitClause
  | CASCADE (PIN expr)? '{' escalateStage+ '}'                        # cascadeClause
  | ENSEMBLE (INT | targetList) COMBINE ident                         # ensembleClause
  | ANNOTATE STRING ':' expr                                          # annotateClause
  | CHARGE ident ':' expr                                             # chargeClause
  ;

splitArm      : ident ':' rate ','? ;
escalateStage : ESCALATE targetRef WHEN expr ;
rate          : PERCENT | BASIS_POINTS ;
targetList    : '[' targetRef (',' targetRef)* ','? ']' ;
targetRef     : targetName | STRING ;
// A dashed name such as `gpu-eu-west`; the front end checks that its parts touch.
targetName    : ident ('-' (ident | INT))* ;

assertDecl : ASSERT ident ':' expr ;

// Policy unit tests (run by `mixtral test`).
testDecl   : TEST STRING '{' testItem* '}' ;
testItem
  : REQUEST jsonValue                                   # testRequest
  | TELEMETRY jsonValue                                 # testTelemetry
  | NOW STRING                                          # testNow
  | ROUTE ident                                         # testRoute
  | EXPECT '{' (expectItem ';'?)* '}'                   # testExpect
  ;
expectItem
  : STRING REMOVED BY ident                             # expectRemoved
  | expr                                                # expectExpr
  ;
jsonValue
  : '{' (jsonMember (',' jsonMember)* ','?)? '}'
  | '[' (jsonValue (',' jsonValue)* ','?)? ']'
  | STRING | '-'? (INT | FLOAT) | TRUE_LIT | FALSE_LIT | NULL_LIT
  ;
jsonMember : (STRING | ident) ':' jsonValue ;

// ---- expressions, loosest first -------------------------------------------
// `a ? b : c ? d : e` is right-associative (the front end folds the chain);
// a ternary inside the middle operand needs parentheses.
expr       : orExpr ('?' orExpr ':' orExpr)* ;
orExpr     : andExpr (OR andExpr)* ;
andExpr    : notExpr (AND notExpr)* ;
notExpr    : NOT* cmpExpr ;
cmpExpr    : addExpr (cmpOp addExpr)? ;
cmpOp      : '==' | '!=' | '<' | '<=' | '>' | '>=' | IN | NOT IN ;
addExpr    : mulExpr (addOp mulExpr)* ;
addOp      : '+' | '-' ;
mulExpr    : unaryExpr (mulOp unaryExpr)* ;
mulOp      : '*' | '/' | '%' ;
unaryExpr  : '-'* postfixExpr ;
postfixExpr: primary postfixOp* ;
postfixOp
  : '.' ident                                           # memberOp
  | '[' expr ']'                                        # indexOp
  ;
primary
  : INT                                                 # intLit
  | FLOAT                                               # floatLit
  | STRING                                              # stringLit
  | DURATION                                            # durationLit
  | (TRUE_LIT | FALSE_LIT)                              # boolLit
  | ident '(' (expr (',' expr)*)? ')'                   # callExpr
  | ident                                               # identExpr
  | '(' expr ')'                                        # parenExpr
  | '[' (expr (',' expr)* ','?)? ']'                    # listLit
  | '{' (expr (',' expr)* ','?)? '}'                    # setLit
  | '{' mapEntry (',' mapEntry)* ','? '}'               # mapLit
  ;
mapEntry : expr ':' expr ;

// Keywords are reserved only where they start a clause: any of them may name a
// rule, a field or an arm (route16 names rules `stale` and `jurisdiction`).
ident
  : IDENT | POLICY | VERSION | IMPORT | TYPE | REQUEST | CLOSED | TARGET | ATTRIBUTES
  | TELEMETRY | PER | STALE | AFTER | RESPONSE | ID | SENSITIVE | ENUM | LIST | SET | MAP
  | COUNTER | BY | WINDOW | BREAKER | COOLDOWN | LET | ROUTE | WHEN | DEFAULT
  | CANDIDATES | WHERE | BINDING | REQUIRE | FORBID | MINIMIZE | MAXIMIZE | WEIGHT
  | SPREAD | TOP | AFFINITY | FALLBACK | OTHERWISE | REJECT | DEGRADE | SAFE | MIRROR
  | SAMPLE | SPLIT | SALT | CASCADE | PIN | ESCALATE | ENSEMBLE | COMBINE | ANNOTATE
  | CHARGE | ASSERT | TEST | NOW | EXPECT | REMOVED
  ;

// ---- lexer ------------------------------------------------------------------
POLICY: 'policy'; VERSION: 'version'; IMPORT: 'import'; TYPE: 'type';
REQUEST: 'request'; CLOSED: 'closed'; TARGET: 'target'; ATTRIBUTES: 'attributes';
TELEMETRY: 'telemetry'; PER: 'per'; STALE: 'stale'; AFTER: 'after'; RESPONSE: 'response';
ID: 'id'; SENSITIVE: 'sensitive'; ENUM: 'enum'; LIST: 'list'; SET: 'set'; MAP: 'map';
COUNTER: 'counter'; BY: 'by'; WINDOW: 'window'; BREAKER: 'breaker'; COOLDOWN: 'cooldown';
LET: 'let'; ROUTE: 'route'; WHEN: 'when'; DEFAULT: 'default'; CANDIDATES: 'candidates';
WHERE: 'where'; BINDING: 'binding'; REQUIRE: 'require'; FORBID: 'forbid';
MINIMIZE: 'minimize'; MAXIMIZE: 'maximize'; WEIGHT: 'weight'; SPREAD: 'spread'; TOP: 'top';
AFFINITY: 'affinity'; FALLBACK: 'fallback'; OTHERWISE: 'otherwise'; REJECT: 'reject';
DEGRADE: 'degrade'; SAFE: 'safe'; MIRROR: 'mirror'; SAMPLE: 'sample'; SPLIT: 'split';
SALT: 'salt'; CASCADE: 'cascade'; PIN: 'pin'; ESCALATE: 'escalate'; ENSEMBLE: 'ensemble';
COMBINE: 'combine'; ANNOTATE: 'annotate'; CHARGE: 'charge'; ASSERT: 'assert'; TEST: 'test';
NOW: 'now'; EXPECT: 'expect'; REMOVED: 'removed';
AND: 'and'; OR: 'or'; NOT: 'not'; IN: 'in'; TRUE_LIT: 'true'; FALSE_LIT: 'false'; NULL_LIT: 'null';

PERCENT      : DIGITS ('.' DIGITS)? '%' ;
BASIS_POINTS : DIGITS 'bp' ;
DURATION     : DIGITS ('ms' | 's' | 'm' | 'h' | 'd') ;
FLOAT        : DIGITS '.' DIGITS EXPONENT? | DIGITS EXPONENT ;
INT          : DIGITS ;
STRING       : '"' (ESC | ~["\\\r\n])* '"' ;
IDENT        : [a-zA-Z_] [a-zA-Z0-9_]* ;

fragment DIGITS   : [0-9] ('_'? [0-9])* ;
fragment EXPONENT : [eE] [+-]? [0-9]+ ;
fragment ESC      : '\\' (["\\/bfnrt] | 'u' HEX HEX HEX HEX) ;
fragment HEX      : [0-9a-fA-F] ;

LINE_COMMENT  : '#' ~[\r\n]* -> channel(HIDDEN) ;
SLASH_COMMENT : '//' ~[\r\n]* -> channel(HIDDEN) ;
WS            : [ \t\r\n]+ -> channel(HIDDEN) ;
// Anything else is one bad character: the front end reports it with its position.
BAD_CHAR      : . ;

