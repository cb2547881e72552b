# The catalogue has every marked text: xgettext over the sources, then msgcmp (fails on a msgid the .po lacks).
# Run with -DXGETTEXT= -DMSGCMP= -DARGS=a|b -DSOURCES=a|b -DPO=po/zh_CN.po -DPOT=out.pot
string(REPLACE "|" ";" args "${ARGS}")
string(REPLACE "|" ";" sources "${SOURCES}")
execute_process(COMMAND ${XGETTEXT} ${args} --output=${POT} ${sources} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "xgettext failed (${rc})")
endif()
execute_process(COMMAND ${MSGCMP} ${PO} ${POT} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${PO} lacks translations of marked texts (above); add them, or run 'cmake --build build --target pot' first")
endif()
